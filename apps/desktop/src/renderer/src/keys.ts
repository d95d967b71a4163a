/** Whether a key press goes to a field that takes typing (a letter picks an option in a list, too). */
export function typingInto(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return element !== null && (['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName) || element.isContentEditable);
}
