/** What the gateway and the apps use of identity: roles and guests' scopes, pairing, device keys and signatures, tokens, and who is asking. */
export { isExpiredAt, type GuestScope } from './roles.js';
export { fingerprint, newDeviceKeyPair, sign, verifyWithNacl, verifyWithNode, type DeviceKeyPair } from './keys.js';
export { issueToken, verifyToken, type SubjectState } from './tokens.js';
export { identityContext, type IdentityContext } from './context.js';
export { authorize } from './policy-engine.js';
export { DEFAULT_PAIRING_LIMITS, PairingBook, type Pairing, type PairingLimits, type Presenter } from './pairing.js';
