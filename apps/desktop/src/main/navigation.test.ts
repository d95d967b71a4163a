import { describe, expect, it } from 'vitest';
import { sameOrigin } from './navigation.js';

describe('window navigation', () => {
  it("stays on exactly the console's origin", () => {
    const origin = 'http://127.0.0.1:4515';
    expect(sameOrigin('http://127.0.0.1:4515/#prompt=ab12', origin)).toBe(true);
    expect(sameOrigin('http://127.0.0.1:4515/login?token=x', origin)).toBe(true);
    for (const url of [
      'http://127.0.0.1:45150/',
      'http://127.0.0.1:4515.evil.example/',
      'https://127.0.0.1:4515/',
      'http://localhost:4515/',
      'file:///etc/passwd',
      'not a url',
    ]) {
      expect(sameOrigin(url, origin)).toBe(false);
    }
  });
});
