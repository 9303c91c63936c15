// The anomalies, back out over MQTT for the tools people already automate with: a sink made for this stream.
import { mqttPublisher } from 'tierflow';
import { ANOMALIES } from '../temperature-zscore/stream.js';

export default mqttPublisher({ name: 'anomalies-mqtt', input: ANOMALIES, summary: 'Publishes anomalies as JSON on <prefix>/<sensor>.' });
