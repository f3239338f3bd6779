'use strict';
/**
 * The one piece of CommonJS glue between Node-RED (which require()s node
 * files) and the agent (ESM, compiled to dist/ of the edge-sentinel package). Each node file calls
 * bridge(): it registers input/close at once, imports the compiled adapter,
 * queues inputs while it loads (status "loading"), then forwards to it.
 * All node logic lives in nodes/src/*.ts and agent/.
 */
// ONNX Runtime >= 1.29 records 1DS telemetry unless this is set before it loads (agent/no-telemetry.ts).
process.env.ORT_DISABLE_TELEMETRY = '1';
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

/** Inputs held while the adapter loads; beyond this they fail to done(err) rather than grow without bound. */
const MAX_QUEUED = 10000;

/**
 * Where the compiled adapters come from. Installed from the registry or from the release tarballs,
 * they are the `edge-sentinel/nodes` export of the agent package this package depends on. Inside a
 * git checkout (nodes/ linked into Node-RED's user dir for development) they are the checkout's own
 * dist/, next to this folder.
 */
function locateAdapter() {
  const tried = [];
  try {
    return require.resolve('edge-sentinel/nodes');
  } catch (err) {
    if (err.code !== 'MODULE_NOT_FOUND' && err.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw err;
    tried.push(`the edge-sentinel package (${err.code})`);
  }
  const checkout = path.join(__dirname, '..', '..', 'dist', 'nodes', 'src', 'index.js');
  if (fs.existsSync(checkout)) return checkout;
  tried.push(checkout);
  throw new Error(
    `edge-sentinel is not installed: looked for ${tried.join(' and ')}. Install it next to this package ` +
      '(npm install edge-sentinel node-red-contrib-edge-sentinel in the Node-RED user directory), ' +
      'or run "npm install" in the edge-sentinel checkout this folder belongs to.',
  );
}

let adapterModule = null;
function loadAdapterModule() {
  if (!adapterModule) {
    try {
      adapterModule = import(pathToFileURL(locateAdapter()).href);
    } catch (err) {
      adapterModule = Promise.reject(err);
    }
  }
  return adapterModule;
}

/**
 * @param {object} node the Node-RED node (after RED.nodes.createNode)
 * @param {(lib: object) => Promise<object>|object} create builds the adapter from the loaded module
 * @param {{ config?: boolean }} [opts] config nodes expose their adapter to users as node.sentinelReady
 */
function bridge(node, create, opts = {}) {
  let impl = null;
  let failed = null;
  const queue = [];
  if (!opts.config) node.status({ fill: 'grey', shape: 'ring', text: 'loading' });
  const ready = loadAdapterModule().then((lib) => create(lib));
  if (opts.config) node.sentinelReady = ready;
  ready.then(
    (a) => {
      impl = a;
      for (const [msg, send, done] of queue.splice(0)) impl.input(msg, send, done);
    },
    (err) => {
      failed = err;
      if (!opts.config) node.status({ fill: 'red', shape: 'ring', text: String(err.message).slice(0, 120) });
      node.error(err.message);
      for (const [, , done] of queue.splice(0)) done(err);
    },
  );
  node.on('input', (msg, send, done) => {
    if (impl) impl.input(msg, send, done);
    else if (failed) done(failed);
    else if (queue.length < MAX_QUEUED) queue.push([msg, send, done]);
    else done(new Error(`${node.type} is still loading and already holds ${MAX_QUEUED} messages; message dropped`));
  });
  // Two-argument close: Node-RED waits for done() before it starts the new flows (node-red/node-red#3992).
  node.on('close', (removed, done) => {
    ready
      .then(
        (a) => a.close(removed),
        () => undefined,
      )
      .then(
        () => done(),
        (err) => {
          node.error(`close failed: ${err.message}`);
          done();
        },
      );
  });
}

module.exports = { bridge, loadAdapterModule };
