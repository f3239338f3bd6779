'use strict';
const { bridge } = require('../lib/bridge.js');

module.exports = function (RED) {
  function SentinelSparkplugInNode(config) {
    RED.nodes.createNode(this, config);
    bridge(this, (lib) => lib.createSparkplugNode(this));
  }
  RED.nodes.registerType('sentinel-sparkplug-in', SentinelSparkplugInNode);
};
