'use strict';
// HS256 check of the bench tokens, with Node's crypto only: the peers do the same work at connect
// time as Switchboard does (verify signature and expiry), so the connect figures compare like with like.
const crypto = require('crypto');

function verifyHs256(token, secret) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const mac = crypto.createHmac('sha256', secret).update(parts[0] + '.' + parts[1]).digest();
  const sig = Buffer.from(parts[2], 'base64url');
  if (sig.length !== mac.length || !crypto.timingSafeEqual(sig, mac)) return null;
  let header, claims;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch (e) {
    return null;
  }
  if (header.alg !== 'HS256' || typeof claims.sub !== 'string') return null;
  if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) return null;
  return claims;
}

function args(argv) {
  const out = { port: 0, secret: '' };
  for (let i = 2; i < argv.length; i += 2) {
    if (argv[i] === '--port') out.port = Number(argv[i + 1]);
    else if (argv[i] === '--jwt-secret') out.secret = argv[i + 1];
    else throw new Error('unknown option ' + argv[i]);
  }
  if (!out.secret) throw new Error('--jwt-secret is required');
  return out;
}

module.exports = { verifyHs256, args };
