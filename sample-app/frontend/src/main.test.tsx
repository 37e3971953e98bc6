import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

describe('main', () => {
  it('mounts the app into #root with real services', async () => {
    document.body.innerHTML = '<div id="root"></div>';
    await act(async () => {
      await import('./main.js');
    });
    expect(screen.getByRole('heading', { name: 'Log in' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Myco' })).toBeTruthy();
  });
});
