/** Where user configuration lives: variables set there are the administrator's choice. */

const CONFIG_DIRS = ["/etc/default/", "/etc/sysconfig/", "/etc/conf.d/", "/etc/rc.conf.d/"];
const CONFIG_FILES = new Set(["/etc/rc.conf", "/etc/rc.conf.local", "/etc/rc.local.conf"]);

export function isConfigPath(path: string): boolean {
  return CONFIG_FILES.has(path) || CONFIG_DIRS.some((d) => path.startsWith(d) && path.length > d.length);
}

/** Variables a configuration file documents but leaves commented out: `#HWCLOCKACCESS=yes`. */
export function documentedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/^[ \t]*#+[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=/gm)) names.add(m[1]!);
  return [...names];
}
