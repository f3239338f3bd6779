'use strict';
const { bridge } = require('../lib/bridge.js');

module.exports = function (RED) {
  function SentinelScoreNode(config) {
    RED.nodes.createNode(this, config);
    bridge(this, (lib) => lib.createScoreNode(RED, this, config));
  }
  RED.nodes.registerType('sentinel-score', SentinelScoreNode);
};
