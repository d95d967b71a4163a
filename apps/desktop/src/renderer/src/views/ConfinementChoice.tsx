import { describeConfinement, visibleText, type Confinement } from '@aleph/protocol';

/**
 * How an allowed shell command runs, chosen on its card: confined with no network, the suggested
 * domains, the whole network, or unconfined (in red, with a warning; never the default).
 */
export function ConfinementChoice({
  choices,
  picked,
  notes,
  onPick,
  disabled,
  name,
}: {
  choices: readonly Confinement[];
  picked: number;
  notes: readonly string[];
  onPick: (index: number) => void;
  disabled: boolean;
  name: string;
}) {
  const unconfined = choices[picked]?.kind === 'unconfined';
  return (
    <fieldset className="confinement" aria-label="how it runs" disabled={disabled}>
      <legend>
        Runs <kbd>c</kbd>
      </legend>
      {choices.map((c, i) => (
        <label key={describeConfinement(c)} className={c.kind === 'unconfined' ? 'unconfined' : undefined}>
          <input type="radio" name={name} checked={i === picked} onChange={() => onPick(i)} />
          {visibleText(describeConfinement(c))}
        </label>
      ))}
      {unconfined && (
        <p className="confinement-warning" role="alert">
          Unconfined: the command runs with everything you can reach (your files, secrets and the whole network), outside the sandbox.
        </p>
      )}
      {notes.length > 0 && (
        <ul className="confinement-notes">
          {notes.map((n) => (
            <li key={n}>{visibleText(n)}</li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
