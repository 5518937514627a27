import fp from 'fastify-plugin';
import { createIdentity, type Identity } from './identity.ts';

declare module 'fastify' {
  interface FastifyInstance {
    identity: Identity;
  }
}

/**
 * Device identities on the broker. The embedded broker checks derived passwords itself, so
 * there is nothing to provision; Mosquitto gets an account and a role per device through its
 * dynamic-security plugin when MQTT_ADMIN_USERNAME / MQTT_ADMIN_PASSWORD are set. Any other
 * broker (EMQX) authenticates devices by its own configuration (deploy/emqx/).
 */
export default fp(
  async (app) => {
    const { gw, config } = app;
    const log = app.log.child({ domain: 'identity' });
    const admin =
      !gw.mqtt.embedded && config.MQTT_ADMIN_USERNAME && config.MQTT_ADMIN_PASSWORD
        ? { url: gw.mqtt.url, username: config.MQTT_ADMIN_USERNAME, password: config.MQTT_ADMIN_PASSWORD }
        : null;
    if (!gw.mqtt.embedded && !admin) {
      log.info('no MQTT_ADMIN_USERNAME/PASSWORD: devices must be given broker accounts by the broker itself');
    }
    const identity = createIdentity({ fleetSecret: gw.fleetSecret, log, dynsec: admin });
    // Before ingest connects with that account (ingest registers after identity). When the
    // broker does not answer in time the account most likely exists already; if it does not,
    // ingest's own connection fails and says so.
    if (admin) {
      await identity
        .ensureServerAccount({ username: gw.mqtt.username, password: gw.mqtt.password })
        .catch((err) => log.warn({ err, url: gw.mqtt.url }, 'could not check the server broker account'));
    }
    app.decorate('identity', identity);
  },
  { name: 'identity', dependencies: ['context'] },
);
