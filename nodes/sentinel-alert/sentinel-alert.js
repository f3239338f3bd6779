'use strict';
const { bridge } = require('../lib/bridge.js');

module.exports = function (RED) {
  function SentinelAlertNode(config) {
    RED.nodes.createNode(this, config);
    bridge(this, (lib) => lib.createAlertNode(RED, this, config));
  }
  RED.nodes.registerType('sentinel-alert', SentinelAlertNode);
};
