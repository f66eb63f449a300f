// The plan form's steps text → `{name, command}` steps. Pure.

/** `build: npm run build` → {name: 'build', command: 'npm run build'}; a bare line is named `step N`. */
export function parseSteps(text: string): Array<{ name: string; command: string }> {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line, i) => {
      const m = /^([\w .-]{1,60}):\s+(.+)$/.exec(line);
      return m ? { name: m[1]!.trim(), command: m[2]! } : { name: `step ${i + 1}`, command: line };
    });
}
