import { render } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { useServices } from './context.js';

function NeedsServices() {
  useServices();
  return null;
}

describe('useServices', () => {
  it('names the missing provider instead of failing on undefined later', () => {
    // React logs the thrown error itself; keep the test output readable.
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => render(<NeedsServices />)).toThrow('useServices() needs a <ServicesProvider> above the component.');
    quiet.mockRestore();
  });
});
