/** Whether a key press goes to a field that takes typing (a letter picks an option in a list, too; a radio button takes none). */
export function typingInto(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (element === null) return false;
  if (element.tagName === 'INPUT') return (element as HTMLInputElement).type !== 'radio';
  return ['TEXTAREA', 'SELECT'].includes(element.tagName) || element.isContentEditable;
}
