import { describe, expect, it } from 'vitest';
import { postWebhook } from '../../../functions/adapters/webhook/https-poster.ts';
import { UnsafeWebhookUrlError } from '../../../functions/core/alerts/ssrf.ts';

describe('Function: postWebhook (before any connection)', () => {
  it('should answer "no answer" when the name does not resolve, so the delivery is retried', async () => {
    // Act
    const result = await postWebhook('https://hooks.example.org/x', {}, '{}', {
      resolve: () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' })),
    });

    // Assess
    expect(result).toEqual({ error: 'cannot resolve hooks.example.org: ENOTFOUND' });
  });

  it('should refuse a name that resolves to any internal address, even next to a public one', async () => {
    // Act & Assess
    await expect(
      postWebhook('https://hooks.example.org/x', {}, '{}', {
        resolve: () =>
          Promise.resolve([
            { address: '93.184.216.34', family: 4 },
            { address: '10.0.0.1', family: 4 },
          ]),
      }),
    ).rejects.toThrow(UnsafeWebhookUrlError);
  });
});
