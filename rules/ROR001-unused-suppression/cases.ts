import type { RuleCases } from "../../src/engine/rule.js";

/**
 * The rule-case harness runs this rule alone, so other rules do not run and
 * pragmas naming them are not judged: the invalid cases are pragmas that can
 * never match whatever runs. Matching against real findings is tested in
 * test/suppress.test.ts.
 */
export const cases: RuleCases = {
  valid: [
    {
      name: "a pragma for a rule that did not run in this scan is not judged",
      code: "#!/bin/sh\n# rorlint disable-next-line=ROR103 -- resolv.conf is ours on this product\nmv /run/resolv.conf.new /etc/resolv.conf\n",
    },
    {
      name: "pragma-like lines in a here-document body or a string are not pragmas",
      code: [
        "#!/bin/sh",
        "cat > /run/motd <<EOF",
        "# rorlint disable-next-line=ROR999 -- inside a here-document",
        "",
        "EOF",
        'echo "# rorlint disable-file=ROR998 -- inside a string"',
        "",
      ].join("\n"),
    },
    {
      name: "a comment that only mentions rorlint",
      code: "#!/bin/sh\n# rorlint checks this file in CI\ntrue\n",
    },
  ],
  invalid: [
    {
      name: "a pragma naming no rule",
      code: "#!/bin/sh\n# rorlint disable-next-line=ROR999 -- typo in the id\nmv /run/resolv.conf.new /etc/resolv.conf\n",
      errors: [{ line: 2 }],
    },
    {
      name: "disable-next-line followed by a blank line, and at the end of the file",
      code: "#!/bin/sh\n# rorlint disable-next-line=ROR105 -- applies to the blank line\n\ndate > /etc/last-lease\n# rorlint disable-next-line=ROR105 -- nothing follows\n",
      errors: [{ line: 2 }, { line: 5 }],
    },
    {
      name: "each unknown name of a pragma with several",
      code: "#!/bin/sh\n# rorlint disable-file=ROR999,no-such-rule -- two typos\ntrue\n",
      errors: [{ line: 2 }, { line: 2 }],
    },
  ],
};
