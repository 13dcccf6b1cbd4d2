import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitingText } from '../../src/screens/queue.js';

// The queue's "waiting since" is a day on the centre's clock.
test('a vessel waiting since the centre’s today is not shown as arriving', () => {
  // 00:30 in Istanbul on 15 Jun is 21:30 UTC on 14 Jun.
  const asOf = '2023-06-14T21:30:00Z';
  assert.equal(waitingText('2023-06-15', asOf, 'Europe/Istanbul'), '15 Jun 2023');
  assert.equal(waitingText('2023-06-14', asOf, 'Europe/Istanbul'), '14 Jun 2023');
  assert.equal(waitingText('2023-06-16', asOf, 'Europe/Istanbul'), 'arrives 16 Jun 2023');
  // On a UTC clock the same instant is still the 14th.
  assert.equal(waitingText('2023-06-15', asOf, 'UTC'), 'arrives 15 Jun 2023');
  // Midday: both clocks agree.
  assert.equal(waitingText('2023-06-15', '2023-06-15T09:00:00Z', 'Europe/Istanbul'), '15 Jun 2023');
  assert.equal(waitingText('', asOf, 'Europe/Istanbul'), '');
  assert.equal(waitingText('2023-06-15', null, 'Europe/Istanbul'), '15 Jun 2023', 'no as_of: the day as given');
});
