import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../functions/core/alerts/alert.ts';
import { eventLine } from '../../../local/cli/format.ts';

const alert = {
  id: 'alert-1',
  kind: 'alert',
  createdAt: '2026-11-28T10:00:00Z',
  topic: { id: 'aid', name: 'Health aid' },
  score: 0.8,
  article: {
    id: 'a1',
    title: 'Japan sends masks',
    date: '2026-11-28',
    location: 'inbox/a.txt',
    format: 'text',
  },
} as unknown as Alert;

describe('Function: eventLine (alerts on the console)', () => {
  it('should say ALERT with its recipients only when somebody gets it, and say why nobody does otherwise', () => {
    // Act
    const sent = eventLine({
      type: 'alert',
      alert,
      recipients: [
        { subscriberId: 'desk', channel: 'email', state: 'queued' },
        { subscriberId: 'daily', channel: 'email', state: 'digest' },
      ],
    });
    const nobody = eventLine({ type: 'alert', alert, recipients: [] });
    const update = eventLine({
      type: 'alert',
      alert,
      recipients: [{ subscriberId: 'desk', channel: 'email', state: 'story-alerted' }],
    });

    // Assess
    expect(sent).toMatch(/^ALERT +Health aid ← "Japan sends masks" score 0\.80 → desk, daily \(digest\)$/);
    expect(nobody).toMatch(/^match +Health aid ← "Japan sends masks" score 0\.80: no subscriber wants it$/);
    expect(update).toMatch(/^update +.*: a story its subscribers were alerted on already$/);
  });
});
