// Pure parsers of git's machine output (no I/O): `git status --porcelain=v2 --branch -z` and `git diff --numstat`,
// so the workspace git fields of the workspace-dashboard contract can be table-tested without a repository.

/** What `git status --porcelain=v2 --branch -z` says about a checkout. */
export interface PorcelainStatus {
  /** Branch name; `HEAD` when detached. */
  branch: string;
  /** `(initial)` on a repository without commits, else the commit id. */
  oid: string;
  upstream: string | null;
  /** Commits on HEAD not on the upstream (0 without an upstream). */
  ahead: number;
  /** Commits on the upstream not on HEAD (0 without an upstream). */
  behind: number;
  /** Tracked paths with staged or unstaged changes (including unmerged). */
  changedPaths: string[];
  /** Untracked paths (git lists each file with `--untracked-files=all`). */
  untrackedPaths: string[];
}

/** Parse porcelain v2 `-z` output: NUL-terminated records; a rename/copy (`2`) record is followed by its origin path. */
export function parsePorcelainV2(text: string): PorcelainStatus {
  const out: PorcelainStatus = { branch: '', oid: '', upstream: null, ahead: 0, behind: 0, changedPaths: [], untrackedPaths: [] };
  const records = text.split('\0');
  for (let i = 0; i < records.length; i++) {
    const rec = records[i]!;
    if (rec === '') continue;
    if (rec.startsWith('# ')) {
      const [key, ...rest] = rec.slice(2).split(' ');
      const value = rest.join(' ');
      if (key === 'branch.head') out.branch = value === '(detached)' ? 'HEAD' : value;
      else if (key === 'branch.oid') out.oid = value;
      else if (key === 'branch.upstream') out.upstream = value;
      else if (key === 'branch.ab') {
        const m = /^\+(\d+) -(\d+)$/.exec(value);
        if (m) {
          out.ahead = Number(m[1]);
          out.behind = Number(m[2]);
        }
      }
      continue;
    }
    switch (rec[0]) {
      case '1': // 1 XY sub mH mI mW hH hI path
        out.changedPaths.push(field(rec, 8));
        break;
      case '2': // 2 XY sub mH mI mW hH hI Xscore path, then the origin path as its own record
        out.changedPaths.push(field(rec, 9));
        i++;
        break;
      case 'u': // u XY sub m1 m2 m3 mW h1 h2 h3 path
        out.changedPaths.push(field(rec, 10));
        break;
      case '?':
        out.untrackedPaths.push(rec.slice(2));
        break;
      default: // '!' ignored files and anything newer git may add
        break;
    }
  }
  return out;
}

/** Path field of a porcelain v2 record: everything after the `n`-th space (paths may contain spaces). */
function field(rec: string, n: number): string {
  let at = 0;
  for (let k = 0; k < n; k++) {
    at = rec.indexOf(' ', at) + 1;
    if (at === 0) return '';
  }
  return rec.slice(at);
}

/** Line and file counts of a diff. */
export interface DiffCounts {
  linesAdded: number;
  linesRemoved: number;
  /** Distinct paths in the diff (binary ones included). */
  files: number;
}

/** Parse `git diff --numstat` (`added\tremoved\tpath` per line; `-\t-\tpath` for binary files). */
export function parseNumstat(text: string): DiffCounts {
  const out: DiffCounts = { linesAdded: 0, linesRemoved: 0, files: 0 };
  for (const line of text.split('\n')) {
    const m = /^(\d+|-)\t(\d+|-)\t(.+)$/.exec(line);
    if (!m) continue;
    out.files++;
    if (m[1] !== '-') out.linesAdded += Number(m[1]);
    if (m[2] !== '-') out.linesRemoved += Number(m[2]);
  }
  return out;
}

/** Lines of a text file's content as git counts them (a last line without newline counts); 0 for binary. */
export function countTextLines(content: Buffer): number {
  if (content.length === 0) return 0;
  if (content.subarray(0, 8000).includes(0)) return 0;
  let n = 0;
  for (let i = content.indexOf(10); i !== -1; i = content.indexOf(10, i + 1)) n++;
  return content[content.length - 1] === 10 ? n : n + 1;
}

/** `short_repo` of the workspace-dashboard contract: the repository's last path segment without `.git` (`git@host:u/repo.git` → `repo`). */
export function shortRepoName(repo: string): string {
  const trimmed = repo.replace(/[/\\]+$/, '');
  const last = trimmed.split(/[/\\:]/).pop() ?? trimmed;
  return last.replace(/\.git$/, '') || trimmed;
}
