import assert from 'node:assert/strict';
import {
  agentRequestHeaders,
  AGENT_REQUEST_HEADERS,
  documentFetchTarget,
  generateSigningKeyPair,
  outputUploadHeaders,
  outputUploadPath,
  signAgentRequest,
  verifyAgentRequest,
  verifyOutputUpload,
} from '../src/index.js';

describe('protocol: signed agent requests (output uploads, document fetches)', () => {
  const keys = generateSigningKeyPair();
  const empty = new Uint8Array();

  it('a signature covers the method, the target with its query, the timestamp and the body', () => {
    const target = documentFetchTarget('My-Doc', '3');
    assert.equal(target, '/tender/v1/documents/My-Doc?version=3');
    const signature = signAgentRequest('GET', target, 1000, empty, keys.secretKey);
    assert.equal(verifyAgentRequest('GET', target, 1000, empty, signature, keys.publicKey), true);
    assert.equal(verifyAgentRequest('PUT', target, 1000, empty, signature, keys.publicKey), false, 'another method');
    assert.equal(verifyAgentRequest('GET', documentFetchTarget('My-Doc', '4'), 1000, empty, signature, keys.publicKey), false, 'another version');
    assert.equal(verifyAgentRequest('GET', target, 1001, empty, signature, keys.publicKey), false, 'another time');
    assert.equal(verifyAgentRequest('GET', target, 1000, Buffer.from('x'), signature, keys.publicKey), false, 'another body');
    assert.equal(verifyAgentRequest('GET', target, 1000, empty, signature, generateSigningKeyPair().publicKey), false, 'another key');
    assert.equal(verifyAgentRequest('GET', target, 1000, empty, 'not base64!', keys.publicKey), false, 'malformed, without throwing');
  });

  it('output uploads are agent requests with method PUT: the same headers and signatures as before', () => {
    const path = outputUploadPath('c0ffee00-0000-4000-8000-000000000000', 'mi-0123456789abcdef0', 'run step', 'stdout');
    const body = Buffer.from('output');
    const upload = outputUploadHeaders('mi-0123456789abcdef0', path, body, keys.secretKey, 42);
    assert.deepEqual(upload, agentRequestHeaders('mi-0123456789abcdef0', 'PUT', path, body, keys.secretKey, 42));
    assert.deepEqual(Object.keys(upload).sort(), Object.values(AGENT_REQUEST_HEADERS).sort());
    assert.equal(verifyOutputUpload(path, 42, body, upload[AGENT_REQUEST_HEADERS.signature]!, keys.publicKey), true);
  });

  it('document names are percent-encoded in the target, ARNs included', () => {
    assert.equal(documentFetchTarget('arn:aws:ssm:eu-west-1:123456789012:document/Doc', '$LATEST'), '/tender/v1/documents/arn%3Aaws%3Assm%3Aeu-west-1%3A123456789012%3Adocument%2FDoc?version=%24LATEST');
    assert.equal(documentFetchTarget('Doc'), '/tender/v1/documents/Doc');
  });
});
