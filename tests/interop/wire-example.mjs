// The attribute-update example (examples/attribute-update) against LiveKit's
// own JS code (@livekit/protocol 1.52.1): every message our code builds at
// each step is decoded by LiveKit's package and must equal the message
// LiveKit's package builds for that step; LiveKit's messages are written out
// for the example to accept (`attribute-update --accept`).
//
// usage: node wire-example.mjs OURS.txt THEIRS.txt
//   OURS.txt   the example's --dump output ("S<step> HEX" lines)
//   THEIRS.txt written: LiveKit's encoding of the same steps
import { readFileSync, writeFileSync } from 'node:fs';
import * as lk from '@livekit/protocol';

const [oursPath, theirsPath] = process.argv.slice(2);
if (!oursPath || !theirsPath) {
  console.error('usage: node wire-example.mjs OURS.txt THEIRS.txt');
  process.exit(2);
}

const perm = (canUpdate) => new lk.ParticipantPermission({
  canSubscribe: true, canPublish: true, canPublishData: true, canUpdateMetadata: canUpdate });
const alice = (version, attributes) => new lk.ParticipantInfo({
  sid: 'PA_alice', identity: 'alice', name: 'Alice', state: lk.ParticipantInfo_State.ACTIVE,
  version, permission: perm(true), attributes });
const update = (p) => new lk.SignalResponse({
  message: { case: 'update', value: new lk.ParticipantUpdate({ participants: [p] }) } });
const request = (attributes, requestId) => new lk.SignalRequest({
  message: { case: 'updateMetadata', value: new lk.UpdateParticipantMetadata({ attributes, requestId }) } });
const answer = (requestId, reason, message, attributes) => new lk.SignalResponse({
  message: { case: 'requestResponse', value: new lk.RequestResponse({
    requestId, reason, message,
    request: { case: 'updateMetadata', value: new lk.UpdateParticipantMetadata({ attributes, requestId }) } }) } });

const R = lk.RequestResponse_Reason;
const diff = { hand: '', mood: '\u{1F600}', status: 'away' };
const big = { bio: 'x'.repeat(300) };
const steps = [
  [lk.SignalResponse, update(alice(1, { hand: 'raised', role: 'speaker', status: 'online' }))],
  [lk.SignalRequest, request(diff, 1)],
  [lk.SignalResponse, answer(1, R.OK, '', diff)],
  [lk.SignalResponse, update(alice(2, { mood: '\u{1F600}', role: 'speaker', status: 'away' }))],
  [lk.SignalRequest, request({ status: 'away' }, 1)],
  [lk.SignalResponse, answer(1, R.NOT_ALLOWED, 'does not have permission to update own metadata', { status: 'away' })],
  [lk.SignalRequest, request(big, 2)],
  [lk.SignalResponse, answer(2, R.LIMIT_EXCEEDED, 'exceeds attributes size limit', big)],
];

const ours = new Map(readFileSync(oursPath, 'utf8').trim().split('\n')
  .map((l) => l.split(' ')).map(([s, h]) => [Number(s.slice(1)), Buffer.from(h ?? '', 'hex')]));
let bad = 0;
steps.forEach(([Type, want], i) => {
  const bytes = ours.get(i);
  let why = '';
  try {
    const got = Type.fromBinary(bytes);
    if (!got.equals(want)) why = `differs: ${JSON.stringify(got.toJson())} vs ${JSON.stringify(want.toJson())}`;
  } catch (e) {
    why = `does not decode: ${e.message}`;
  }
  if (why) { bad++; console.log(`S${i}: ${why}`); }
});
writeFileSync(theirsPath, steps.map(([, m], i) => `S${i} ${Buffer.from(m.toBinary()).toString('hex')}`).join('\n') + '\n');
console.log(`wire-example: ${steps.length - bad}/${steps.length} messages of the example decode in LiveKit's JS equal to LiveKit's own`);
process.exit(bad ? 1 : 0);
