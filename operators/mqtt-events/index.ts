import { mqttPublisher } from '../mqtt/publish.js';
import { EVENTS } from '../streams/index.js';

export default mqttPublisher({ name: 'mqtt-events', input: EVENTS, summary: 'Publishes sighting events as JSON to an MQTT broker, on <prefix>/<camera> (Home Assistant, Node-RED).' });
