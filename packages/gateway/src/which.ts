import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * Resolves a command name the way a shell would, through PATH, to the executable it would run.
 * Cached per name for the life of the resolver.
 */
export function executableResolver(pathVariable: string | undefined = process.env.PATH, cwd: string = process.cwd()): (name: string) => string | null {
  const dirs = (pathVariable ?? '').split(delimiter).filter((d) => d !== '');
  const cache = new Map<string, string | null>();
  return (name) => {
    const cached = cache.get(name);
    if (cached !== undefined) return cached;
    let found: string | null = null;
    if (name.includes('/')) {
      found = isExecutable(resolve(cwd, name)) ? resolve(cwd, name) : null;
    } else {
      for (const dir of dirs) {
        const candidate = join(isAbsolute(dir) ? dir : resolve(cwd, dir), name);
        if (isExecutable(candidate)) {
          found = candidate;
          break;
        }
      }
    }
    cache.set(name, found);
    return found;
  };
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
