'use strict';
const { bridge } = require('../lib/bridge.js');

module.exports = function (RED) {
  function SentinelConfigNode(config) {
    RED.nodes.createNode(this, config);
    this.name = config.name;
    bridge(this, (lib) => lib.createConfigNode(RED, this, config), { config: true });
  }
  RED.nodes.registerType('sentinel-config', SentinelConfigNode);
};
