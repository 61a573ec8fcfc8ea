import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../functions/core/alerts/alert.ts';
import { composeDigestEmail } from '../../../functions/core/alerts/digest.ts';

const alert = (story?: Alert['story']): Alert => ({
  id: 'alert_000000000000000000000001',
  kind: 'alert',
  createdAt: '2026-11-23T10:00:00.000Z',
  topic: { id: 'aid', name: 'Aid' },
  score: 0.9,
  article: {
    id: 'a'.repeat(32),
    title: 'Masks for Azerbaijan',
    date: '2026-11-23',
    location: 's3://b/incoming/x.txt',
  },
  explanation: { terms: [], countries: [], snippet: '' },
  ...(story ? { story } : {}),
});

describe('Function: composeDigestEmail (stories)', () => {
  it('should say which other outlets reported a story, and nothing for a story of one', () => {
    // Act
    const many = composeDigestEmail({
      id: 'digest_x_2026-11-23',
      subscriberId: 'x',
      day: '2026-11-23',
      alerts: [alert({ id: 'a'.repeat(32), role: 'first', sources: ['Trend', 'AzerNews', 'Caspian Wire'] })],
    });
    const one = composeDigestEmail({
      id: 'digest_x_2026-11-23',
      subscriberId: 'x',
      day: '2026-11-23',
      alerts: [alert({ id: 'a'.repeat(32), role: 'first', sources: ['Trend'] })],
    });

    // Assess
    expect(many.text).toContain('   also reported by 2 sources: AzerNews, Caspian Wire\n');
    expect(one.text).not.toContain('also reported');
  });
});
