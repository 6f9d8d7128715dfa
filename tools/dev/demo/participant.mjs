// The demo's input: a real ParticipantInfo, built and encoded with LiveKit's
// own JS package (@livekit/protocol, installed under tests/interop by
// `make setup`).  Prints the encoded message as one line of hex.
// usage: node tools/dev/demo/participant.mjs > participant.hex
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(join(root, 'tests', 'interop', 'package.json'));
const { ParticipantInfo, ParticipantInfo_State, ParticipantInfo_Kind, ParticipantPermission } =
  require('@livekit/protocol');

// A caller who dialled in through LiveKit's SIP service, as a room sees it.
const p = new ParticipantInfo({
  sid: 'PA_3xkT9mQ2bVwL',
  identity: 'sip_+4930901820',
  name: 'Zoë Müller',
  state: ParticipantInfo_State.ACTIVE,
  kind: ParticipantInfo_Kind.SIP,
  version: 7,
  joinedAt: 1732531200n,
  permission: new ParticipantPermission({ canSubscribe: true, canPublish: true, canUpdateMetadata: true }),
  metadata: '{"crm":"4711"}',
  attributes: {
    'sip.callID': 'SCL_wH5nZ3r8KpQa',
    'sip.phoneNumber': '+4930901820',
    'sip.trunkPhoneNumber': '+4930555000',
    'sip.callStatus': 'active',
    'lk.agent.state': 'listening',
    'greeting': 'Grüß Gott 👋',
    'city': '東京',
  },
});
process.stdout.write(Buffer.from(p.toBinary()).toString('hex') + '\n');
