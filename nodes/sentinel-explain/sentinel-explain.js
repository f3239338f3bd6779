'use strict';
const { bridge } = require('../lib/bridge.js');

module.exports = function (RED) {
  function SentinelExplainNode(config) {
    RED.nodes.createNode(this, config);
    bridge(this, (lib) => lib.createExplainNode(RED, this, config));
  }
  RED.nodes.registerType('sentinel-explain', SentinelExplainNode);
};
