// `lkproto encode` on hand-written proto3 JSON, compared with LiveKit's own
// JSON reader (@bufbuild/protobuf 1.10.1 fromJson(), default options):
//   - what both accept must give bytes that LiveKit reads back equal to
//     LiveKit's own fromJson() result;
//   - what LiveKit refuses, lkproto refuses (exit 1, nothing on stdout, one
//     error line naming the field);
//   - a few inputs lkproto refuses on purpose though LiveKit takes them
//     (marked `stricter`, documented in tools/lkproto/README.md).
//
// usage: node tests/lkproto/json.mjs build/bin/lkproto
import { spawnSync } from 'node:child_process';
import { unhex, strictRead, toJson, msgEqual, runBatch, runtimeType, typeRegistry } from './lib.mjs';

const bin = process.argv[2];
if (!bin) {
  console.error('usage: json.mjs LKPROTO');
  process.exit(2);
}

const PI = 'livekit.ParticipantInfo';
const DP = 'livekit.DataPacket';
const MS = 'livekit.MetricSample';
const SIPO = 'livekit.SIPMediaConfig';
const TI = 'livekit.TrackInfo';
const OPT = 'livekit.DataTrackSubscriptionOptions';
const RTP = 'livekit.RTPStats';
const SCI = 'livekit.SIPCallInfo';
const SD = 'livekit.SpeakerInfo';

// [type, json text, expectation, field named in the error (for refusals)]
const A = 'accept', R = 'reject', S = 'stricter';
const cases = [
  [PI, '{}', A],
  [PI, '{"sid":"PA_1","identity":"alice","joinedAt":"1700000000","attributes":{"a":"1","b":""}}', A],
  [PI, '{"sid":"PA_1","joined_at":1700000000,"is_publisher":true,"joined_at_ms":"-5"}', A],
  [PI, '{"state":"ACTIVE","kind":4,"kindDetails":["FORWARDED",1,77]}', A],
  [PI, '{"state":99}', A],
  [PI, '{"state":null,"sid":null,"tracks":null,"attributes":null,"permission":null}', A],
  [PI, '{"joinedAt":"9223372036854775807","joinedAtMs":"-9223372036854775808"}', A],
  [PI, '{"joinedAt":9007199254740991}', A],
  [PI, '{"joinedAt":1e3}', A],
  [PI, '{"version":4294967295,"clientProtocol":-2147483648}', A],
  [PI, '{"version":"42","clientProtocol":"-7"}', A],
  [PI, '{"version":1.0}', A],
  [PI, '{"version":"1e2"}', A],
  [PI, '{"identity":"😀 é \\u00e9 \\ud83d\\ude00 \\ufeffx"}', A],
  [PI, '{"tracks":[{"sid":"TR_1","type":"VIDEO","width":1280,"layers":[{"quality":"HIGH","width":1280}]}],"permission":{"canPublishSources":["CAMERA","MICROPHONE"]}}', A],
  [PI, '{"permission":{"canSubscribe":true},"permission":{"canPublish":true}}', A], // duplicate key: last wins
  [PI, '{"sid":"a","sid":"b"}', A],
  [DP, '{"user":{"payload":"AAEC/w=="}}', A],
  [DP, '{"user":{"payload":"AAEC_w"}}', A], // URL-safe, no padding
  [DP, '{"user":{"payload":"AA EC\\n/w=="}}', A], // spaces are skipped
  [DP, '{"user":{"payload":""}}', A],
  [DP, '{"speaker":{}}', A],
  [DP, '{"user":null,"speaker":{}}', R], // LiveKit: "multiple keys for oneof"
  [DP, '{"user":{},"speaker":{}}', R, 'speaker'],
  [DP, '{"destinationIdentities":["a","b"],"destination_identities":["c"]}', A],
  [OPT, '{"targetFps":0}', A],
  [OPT, '{"target_fps":5}', A],
  [OPT, '{"targetFps":null}', A],
  [MS, '{"value":"NaN"}', A],
  [MS, '{"value":"Infinity"}', A],
  [MS, '{"value":"-Infinity"}', A],
  [MS, '{"value":0.1}', A],
  [MS, '{"value":3.4028234663852886e38}', A],
  [MS, '{"value":1e-50}', A],
  [MS, '{"value":"1.5"}', A],
  [MS, '{"value":1e39}', R, 'value'],
  [MS, '{"value":"nan"}', R, 'value'],
  [MS, '{"value":" 1"}', R, 'value'],
  [MS, '{"value":""}', R, 'value'],
  [MS, '{"value":true}', R, 'value'],
  [MS, '{"normalizedTimestamp":"2023-11-14T22:13:20Z"}', A],
  [MS, '{"normalizedTimestamp":"2023-11-14T22:13:20.123Z"}', A],
  [MS, '{"normalizedTimestamp":"2023-11-14T22:13:20.123456789Z"}', A],
  [MS, '{"normalizedTimestamp":"2023-11-14T22:13:20+02:00"}', A],
  [MS, '{"normalizedTimestamp":"0001-01-01T00:00:00Z"}', A],
  [MS, '{"normalizedTimestamp":"9999-12-31T23:59:59.999999999Z"}', A],
  [MS, '{"normalizedTimestamp":"2023-02-31T00:00:00Z"}', A], // Date.parse rolls over
  [MS, '{"normalizedTimestamp":"2023-11-14T22:13:20.12Z"}', R, 'normalized_timestamp'],
  [MS, '{"normalizedTimestamp":"2023-13-14T22:13:20Z"}', R, 'normalized_timestamp'],
  [MS, '{"normalizedTimestamp":"2023-11-14 22:13:20Z"}', R, 'normalized_timestamp'],
  [MS, '{"normalizedTimestamp":1700000000}', R, 'normalized_timestamp'],
  [MS, '{"normalizedTimestamp":"0000-12-31T23:59:59Z"}', R, 'normalized_timestamp'],
  [SIPO, '{"mediaTimeout":"1.5s"}', A],
  [SIPO, '{"mediaTimeout":"-0.5s"}', A],
  [SIPO, '{"mediaTimeout":"0s"}', A],
  [SIPO, '{"mediaTimeout":"315576000000s"}', A],
  [SIPO, '{"mediaTimeout":"3.000000001s"}', A],
  [SIPO, '{"mediaTimeout":"315576000001s"}', R, 'media_timeout'],
  [SIPO, '{"mediaTimeout":"1.5"}', R, 'media_timeout'],
  [SIPO, '{"mediaTimeout":"1.0000000001s"}', R, 'media_timeout'],
  [SCI, '{"callContext":[{}]}', A],
  [SCI, '{"callContext":[{"@type":"type.googleapis.com/livekit.Codec","mime":"audio/opus"}]}', A],
  [SCI, '{"callContext":[{"@type":"type.googleapis.com/google.protobuf.Duration","value":"2s"}]}', A],
  [SCI, '{"callContext":[{"@type":"type.googleapis.com/nope.Nope"}]}', R, 'call_context'],
  [SCI, '{"callContext":[{"mime":"x"}]}', R, 'call_context'],
  [SCI, '{"callContext":[{"@type":"type.googleapis.com/livekit.Codec","nope":1}]}', R, 'nope'],
  // refusals LiveKit shares
  [PI, '{"nope":1}', R, 'nope'],
  [PI, '{"sid":1}', R, 'sid'],
  [PI, '{"sid":["a"]}', R, 'sid'],
  [PI, '{"isPublisher":"true"}', R, 'is_publisher'],
  [PI, '{"isPublisher":1}', R, 'is_publisher'],
  [PI, '{"version":-1}', R, 'version'],
  [PI, '{"version":4294967296}', R, 'version'],
  [PI, '{"version":1.5}', R, 'version'],
  [PI, '{"clientProtocol":2147483648}', R, 'client_protocol'],
  [PI, '{"joinedAt":"9223372036854775808"}', R, 'joined_at'],
  [PI, '{"joinedAt":"1.5"}', R, 'joined_at'],
  [PI, '{"joinedAt":1.5}', R, 'joined_at'],
  [PI, '{"joinedAt":"abc"}', R, 'joined_at'],
  [PI, '{"joinedAt":true}', R, 'joined_at'],
  [PI, '{"state":"NOPE"}', R, 'state'],
  [PI, '{"state":1.5}', R, 'state'],
  [PI, '{"state":true}', R, 'state'],
  [PI, '{"kindDetails":[null]}', R, 'kind_details'],
  [PI, '{"kindDetails":"FORWARDED"}', R, 'kind_details'],
  [PI, '{"tracks":{}}', R, 'tracks'],
  [PI, '{"tracks":[{"nope":1}]}', R, 'tracks[0]'],
  [PI, '{"tracks":[1]}', R, 'tracks[0]'],
  [PI, '{"attributes":{"a":1}}', R, 'attributes'],
  [PI, '{"attributes":{"a":null}}', R, 'attributes'],
  [PI, '{"attributes":["a"]}', R, 'attributes'],
  [PI, '{"permission":[]}', R, 'permission'],
  [PI, '{"permission":"x"}', R, 'permission'],
  [PI, '[]', R],
  [PI, '"x"', R],
  [PI, 'null', R],
  [PI, '{', R],
  [PI, '{"sid":"a"} x', R],
  [PI, '{"sid":"\\ud800"}', R],
  [DP, '{"user":{"payload":"A"}}', R, 'payload'],
  [DP, '{"user":{"payload":"AA*A"}}', R, 'payload'],
  [DP, '{"user":{"payload":5}}', R, 'payload'],
  // lkproto refuses on purpose
  [PI, '{"sid":"a\\u0000b"}', S, 'sid'],
  [PI, '{"attributes":{"k\\u0000":"v"}}', S], // jansson: "NUL byte in object key not supported"
  [PI, '{"k\\u0000":"v"}', R],
  [PI, '{"attributes":{"k":"v\\u0000"}}', S, 'attributes'],
  [PI, '{"state":4294967297}', S, 'state'],
  [PI, '{"joinedAt":"0x10"}', S, 'joined_at'],
  [SIPO, '{"mediaTimeout":"1.5sx"}', S, 'media_timeout'],
];

function livekitFromJson(T, text) {
  try {
    return { ok: true, msg: T.fromJsonString(text, { typeRegistry: typeRegistry() }) };
  } catch (e) {
    return { ok: false, why: e.message };
  }
}

let failures = 0, accepted = 0, refused = 0, stricter = 0;
const fail = (c, what) => {
  failures++;
  if (failures <= 25) console.error(`FAIL ${c[0]} ${c[1]}: ${what}`);
};

for (const c of cases) {
  const [type, text, want, field] = c;
  const T = runtimeType(type);
  const lk = livekitFromJson(T, text);
  if (want === A && !lk.ok) { fail(c, `LiveKit refuses it: ${lk.why}`); continue; }
  if (want === R && lk.ok) { fail(c, 'LiveKit accepts it; mark it stricter or fix the case'); continue; }
  if (want === S && !lk.ok) { fail(c, `LiveKit refuses it too (${lk.why}); mark it reject`); continue; }
  const res = runBatch(bin, 'encode', type, [text]);
  if (want === A) {
    if (res.status !== 0 || res.out.length !== 1) { fail(c, `refused: ${res.err.trim()}`); continue; }
    let back;
    try { back = T.fromBinary(unhex(res.out[0]), strictRead); } catch (e) { fail(c, `LiveKit cannot read ${res.out[0]}: ${e.message}`); continue; }
    const want = T.fromBinary(lk.msg.toBinary()); // floats as float32, as on the wire
    if (!msgEqual(back, want)) fail(c, `differs: LiveKit ${JSON.stringify(toJson(lk.msg))}, lkproto ${JSON.stringify(toJson(back))}`);
    accepted++;
  } else {
    if (res.status !== 1 || res.rawOut !== '') { fail(c, `expected refusal, got exit ${res.status} out ${JSON.stringify(res.rawOut)}`); continue; }
    if (!/^lkproto encode: line 1: livekit\.\S+: .+\n$/.test(res.err)) { fail(c, `error not one line: ${JSON.stringify(res.err)}`); continue; }
    if (field && !res.err.includes(`field ${field}`) && !res.err.includes(`.${field}`)) { fail(c, `error does not name field ${field}: ${res.err.trim()}`); continue; }
    if (want === S) stricter++; else refused++;
  }
}

// Binary mode: one document in, the raw bytes out.
{
  const r = spawnSync(bin, ['encode', 'ParticipantInfo'], { input: '{\n  "sid": "PA_1",\n  "version": 3\n}\n' });
  const T = runtimeType(PI);
  if (r.status !== 0 || !T.fromBinary(r.stdout).equals(new T({ sid: 'PA_1', version: 3 }))) {
    failures++;
    console.error(`FAIL binary encode: exit ${r.status}: ${r.stderr}`);
  }
}

if (failures) {
  console.error(`lkproto json: ${failures} failures`);
  process.exit(1);
}
console.log(`lkproto json: ${cases.length} documents: ${accepted} read as LiveKit reads them, ${refused} refused as LiveKit refuses them, ${stricter} refused on purpose (stricter)`);
