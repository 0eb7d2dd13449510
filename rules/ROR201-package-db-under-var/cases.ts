import type { RuleCases } from "../../src/engine/rule.js";

const DPKG_STATUS = "Package: base-files\nStatus: install ok installed\nVersion: 12.4\n\nPackage: dpkg\nStatus: install ok installed\nVersion: 1.21.22\n";
const DPKG_CFG = [
  "# dpkg configuration file",
  "#",
  "# This file can contain default options for dpkg. All command-line",
  "# options are allowed. Values can be specified by putting them after",
  "# the option, separated by whitespace and/or an `=' sign.",
  "#",
  "",
  "# Do not enable debsig-verify by default",
  "no-debsig",
  "",
  "# Log status changes and actions to a file.",
  "log /var/log/dpkg.log",
].join("\n");

export const cases: RuleCases = {
  valid: [
    {
      name: "no package manager at all",
    },
    {
      name: "dpkg.cfg admindir points outside /var",
      files: {
        "etc/dpkg/dpkg.cfg": `${DPKG_CFG}\nadmindir /usr/lib/dpkg-db\n`,
        "usr/lib/dpkg-db/status": DPKG_STATUS,
      },
    },
    {
      name: "/var/lib/dpkg is a compatibility link into /usr/lib/sysimage, admindir in dpkg.cfg.d",
      files: {
        "etc/dpkg/dpkg.cfg": `${DPKG_CFG}\n`,
        "etc/dpkg/dpkg.cfg.d/admindir": "admindir=/usr/lib/sysimage/dpkg\n",
        "usr/lib/sysimage/dpkg/status": DPKG_STATUS,
        "var/lib/dpkg": { symlink: "../../usr/lib/sysimage/dpkg" },
      },
    },
    {
      name: "/var/lib/dpkg links into /usr, no dpkg.cfg setting",
      files: {
        "usr/lib/sysimage/dpkg/status": DPKG_STATUS,
        "var/lib/dpkg": { symlink: "/usr/lib/sysimage/dpkg" },
      },
    },
    {
      name: "only apt's variable data under /var (lists, caches, logs)",
      files: {
        "usr/lib/sysimage/dpkg/status": DPKG_STATUS,
        "etc/dpkg/dpkg.cfg.d/admindir": "admindir /usr/lib/sysimage/dpkg\n",
        "var/lib/apt/lists/lock": "",
        "var/cache/apt/archives/lock": "",
        "var/log/apt/history.log": "",
      },
    },
    {
      name: "pacman DBPath under /usr; sync databases and the package cache stay in /var",
      files: {
        "etc/pacman.conf": "[options]\nRootDir     = /\nDBPath      = /usr/lib/sysimage/pacman/\nCacheDir    = /var/cache/pacman/pkg/\nLogFile     = /var/log/pacman.log\n",
        "usr/lib/sysimage/pacman/local/ALPM_DB_VERSION": "9\n",
        "var/lib/pacman/sync/core.db": "",
        "var/cache/pacman/pkg/.keep": "",
      },
    },
    {
      name: "rpm database in /usr/lib/sysimage with the /var/lib/rpm compatibility link (Fedora)",
      files: {
        "usr/lib/rpm/macros": "%_usr\t\t\t/usr\n%_dbpath\t\t%{_usr}/lib/sysimage/rpm\n",
        "usr/lib/sysimage/rpm/rpmdb.sqlite": "SQLite format 3",
        "var/lib/rpm": { symlink: "../../usr/lib/sysimage/rpm" },
      },
    },
    {
      name: "OpenWrt: opkg's state in /usr/lib/opkg, only lists in /var",
      files: {
        "etc/opkg.conf": "dest root /\ndest ram /tmp\nlists_dir ext /var/opkg-lists\noption overlay_root /overlay\n",
        "usr/lib/opkg/status": "Package: busybox\nStatus: install user installed\n",
      },
    },
    {
      name: "Alpine: apk keeps its database in /lib/apk/db",
      files: {
        "lib/apk/db/installed": "P:musl\nV:1.2.4-r2\n",
        "etc/apk/world": "alpine-base\n",
        "var/cache/apk/.keep": "",
      },
    },
  ],
  invalid: [
    {
      name: "dpkg's default database in /var/lib/dpkg",
      files: {
        "var/lib/dpkg/status": DPKG_STATUS,
        "var/lib/dpkg/info/base-files.list": "/etc/debian_version\n",
      },
      errors: [{ path: "var/lib/dpkg/status", line: 1 }],
    },
    {
      name: "dpkg.cfg admindir points inside /var",
      files: {
        "etc/dpkg/dpkg.cfg": `${DPKG_CFG}\nadmindir /var/cache/dpkg-db\n`,
        "var/cache/dpkg-db/status": DPKG_STATUS,
      },
      errors: [{ path: "etc/dpkg/dpkg.cfg", line: 13 }],
    },
    {
      name: "pacman's default local database",
      files: {
        "etc/pacman.conf": "[options]\n#DBPath      = /var/lib/pacman/\nHoldPkg     = pacman glibc\n",
        "var/lib/pacman/local/ALPM_DB_VERSION": "9\n",
        "var/lib/pacman/sync/core.db": "",
      },
      errors: [{ path: "var/lib/pacman/local/ALPM_DB_VERSION", line: 1 }],
    },
    {
      name: "pacman.conf DBPath set explicitly to /var",
      files: {
        "etc/pacman.conf": "[options]\nRootDir     = /\nDBPath      = /var/lib/pacman/\n",
        "var/lib/pacman/local/ALPM_DB_VERSION": "9\n",
      },
      errors: [{ path: "etc/pacman.conf", line: 3 }],
    },
    {
      name: "rpm's classic /var/lib/rpm",
      files: { "var/lib/rpm/Packages": "" },
      errors: [{ path: "var/lib/rpm/Packages", line: 1 }],
    },
    {
      name: "opkg's default /var/lib/opkg",
      files: { "var/lib/opkg/status": "Package: busybox\nStatus: install user installed\n" },
      errors: [{ path: "var/lib/opkg/status", line: 1 }],
    },
    {
      name: "dpkg reads dpkg.cfg after dpkg.cfg.d: its admindir in /var wins over a fragment's in /usr",
      files: {
        "etc/dpkg/dpkg.cfg.d/admindir": "admindir /usr/lib/sysimage/dpkg\n",
        "etc/dpkg/dpkg.cfg": `${DPKG_CFG}\nadmindir /var/lib/dpkg-local\n`,
        "usr/lib/sysimage/dpkg/status": DPKG_STATUS,
        "var/lib/dpkg-local/status": DPKG_STATUS,
      },
      errors: [{ path: "etc/dpkg/dpkg.cfg", line: 13 }],
    },
    {
      name: "rpm %_dbpath through a macro, expanded (%{_var})",
      files: {
        "usr/lib/rpm/macros": "%_var\t\t\t/var\n%_dbpath\t\t%{_var}/lib/rpmdb\n",
        "var/lib/rpmdb/rpmdb.sqlite": "SQLite format 3",
      },
      errors: [{ path: "usr/lib/rpm/macros", line: 2 }],
    },
  ],
};
