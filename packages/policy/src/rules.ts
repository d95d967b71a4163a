/**
 * The command policy's tables. This file is data, meant to be read by a person reviewing what the
 * policy does; the code that applies it lives in classify.ts and decompose.ts. The tables live in
 * rules/, one file per kind of knowledge; this file gathers them.
 *
 * Order (as in the seed policy): a segment that matches any BLOCK rule is blocked, whatever the
 * mode; otherwise any CONFIRM rule makes it CONFIRM; otherwise a SAFE rule makes it SAFE; anything
 * unmatched is CONFIRM.
 *
 * Each rule has a stable `name`, a one-line `justification` and `examples` it must match and must
 * not match, checked when the policy loads (rule-examples.ts).
 *
 * Matching:
 * - `commands`: normalised command names (`/bin/rm`, `\rm`, `"rm"` are all `rm`). A trailing `*`
 *   matches a prefix (`mkfs*` matches `mkfs.ext4`).
 * - `subcommands`: the first positional argument after the tool's own options (`git -C x push`). A
 *   BLOCK or CONFIRM rule applies when any word that may be the subcommand is one (`git -c k=v
 *   push`, `npm --tag x run y`); a SAFE rule only when the subcommand is certain, every option before
 *   it known (OPTIONS).
 * - `withOption`: applies only if one of these options is given; `withoutOption`: only if none is.
 *   A short option also matches inside a cluster (`-ni`) and with its value attached (`-i.bak`,
 *   `-p/etc/x.conf`); `--in-place` also matches `--in-place=.bak` and any abbreviation GNU getopt
 *   would accept (`--in-pl`). What leads away from SAFE needs only that the option may be given; what
 *   leads to SAFE (a SAFE rule's `withOption`, a stricter rule's `withoutOption`) needs it surely
 *   given: the very word, not an abbreviation, and not the value of the option before it.
 * - An option entry that does not start with `-` matches the word right after the subcommand
 *   (`git stash list`, but not `git stash push -m list`).
 * - `noPositionals`: applies only when nothing follows the command (or subcommand) but options.
 * - `withArg`: applies only if some positional argument matches the pattern.
 * - The command `*` stands for any command these tables name (never an unknown program).
 * - Tools that do not read their options as getopt does (`find`, `ip`, `go`): OPTION_STYLES.
 */
export * from './rules/block.js';
export * from './rules/command-rule.js';
export * from './rules/confirm.js';
export * from './rules/data-readers.js';
export * from './rules/dev-mode.js';
export * from './rules/environment.js';
export * from './rules/fallback.js';
export * from './rules/interpreters.js';
export * from './rules/locations.js';
export * from './rules/network.js';
export * from './rules/option-effects.js';
export * from './rules/options.js';
export * from './rules/readers.js';
export * from './rules/safe.js';
export * from './rules/tools.js';
export * from './rules/wrappers.js';
export * from './rules/write-targets.js';
