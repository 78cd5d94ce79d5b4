/** One instruction of a Dockerfile, continuation lines joined. */
export interface DockerInstruction {
  /** Upper-case: `COPY`, `RUN`, `CMD`, … */
  readonly keyword: string;
  /** `--from=build` → `{ from: 'build' }`; only flags written before the arguments. */
  readonly flags: Readonly<Record<string, string>>;
  /** Every `--mount=` value in order: a RUN may give several, which `flags` keeps only the last of. */
  readonly mounts: ReadonlyArray<string>;
  /** The arguments: JSON-array form as written, shell form split on whitespace. */
  readonly args: ReadonlyArray<string>;
  /** True for the exec (JSON-array) form, which runs without a shell. */
  readonly execForm: boolean;
  /** 1-based line where the instruction starts, for messages. */
  readonly line: number;
}

export interface DockerStage {
  /** The `AS name`, when given. */
  readonly name?: string;
  /** The base image, with `ARG` defaults declared before the first FROM substituted. */
  readonly image: string;
  readonly instructions: ReadonlyArray<DockerInstruction>;
}

export interface Dockerfile {
  /** `ARG` defaults declared before the first FROM. */
  readonly globalArgs: Readonly<Record<string, string>>;
  readonly stages: ReadonlyArray<DockerStage>;
}

/** Logical lines: comments dropped (also between continuation lines), `\` continuations joined. */
const logicalLines = (text: string): ReadonlyArray<{ readonly text: string; readonly line: number }> => {
  const out: Array<{ text: string; line: number }> = [];
  let current: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && current === undefined)) return;
    const continues = trimmed.endsWith('\\');
    const body = continues ? trimmed.slice(0, -1).trim() : trimmed;
    current =
      current === undefined ? { text: body, line: index + 1 } : { ...current, text: `${current.text} ${body}`.trim() };
    if (!continues) {
      out.push(current);
      current = undefined;
    }
  });
  if (current !== undefined) out.push(current);
  return out;
};

const parseInstruction = (text: string, line: number): DockerInstruction => {
  const keyword = (/^\S+/.exec(text)?.[0] ?? '').toUpperCase();
  let rest = text.slice(keyword.length).trim();
  const flags: Record<string, string> = {};
  const mounts: string[] = [];
  for (let flag = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest); flag; flag = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest)) {
    flags[flag[1] ?? ''] = flag[2] ?? '';
    if (flag[1] === 'mount') mounts.push(flag[2] ?? '');
    rest = rest.slice(flag[0].length);
  }
  if (rest.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(rest);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) {
        return { keyword, flags, mounts, args: parsed, execForm: true, line };
      }
    } catch {
      // Docker runs a line that is not a valid JSON array in shell form; so do we.
    }
  }
  return { keyword, flags, mounts, args: rest === '' ? [] : rest.split(/\s+/), execForm: false, line };
};

const substitute = (text: string, args: Readonly<Record<string, string>>): string =>
  text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced?: string, bare?: string) => {
      const value = args[braced ?? bare ?? ''];
      return value ?? whole;
    },
  );

/**
 * Parses a Dockerfile into its stages, enough to check it against the repository: what each
 * stage copies from where, and what the last stage runs.
 *
 * @example
 * const { stages } = parseDockerfile(text);
 * stages.at(-1)?.instructions.find((i) => i.keyword === 'CMD')?.args; // ['node', 'apps/api/dist/main.js']
 */
export const parseDockerfile = (text: string): Dockerfile => {
  const globalArgs: Record<string, string> = {};
  const stages: Array<{ name?: string; image: string; instructions: DockerInstruction[] }> = [];
  for (const { text: lineText, line } of logicalLines(text)) {
    const instruction = parseInstruction(lineText, line);
    const current = stages.at(-1);
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = instruction.args;
      stages.push({
        image: substitute(image, globalArgs),
        ...(as?.toUpperCase() === 'AS' && name !== undefined ? { name } : {}),
        instructions: [],
      });
    } else if (current === undefined) {
      if (instruction.keyword === 'ARG') {
        for (const arg of instruction.args) {
          const [name = '', value] = arg.split('=', 2);
          if (value !== undefined) globalArgs[name] = value;
        }
      }
    } else {
      current.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
};

/** A COPY's sources and destination; `from` is the stage (or image) it copies out of, if any. */
export interface DockerCopy {
  readonly from?: string;
  readonly sources: ReadonlyArray<string>;
  readonly destination: string;
  readonly line: number;
}

/** Every COPY (and ADD) of a stage, in order. */
export const copiesOf = (stage: DockerStage): ReadonlyArray<DockerCopy> =>
  stage.instructions
    .filter((instruction) => instruction.keyword === 'COPY' || instruction.keyword === 'ADD')
    .map((instruction) => ({
      ...(instruction.flags.from === undefined ? {} : { from: instruction.flags.from }),
      sources: instruction.args.slice(0, -1),
      destination: instruction.args.at(-1) ?? '',
      line: instruction.line,
    }));
