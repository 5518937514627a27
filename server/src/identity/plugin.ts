import fp from 'fastify-plugin';
import { type AccountStore, createIdentity, type Identity } from './identity.ts';

declare module 'fastify' {
  interface FastifyInstance {
    identity: Identity;
  }
}

/**
 * Device identities on the broker. The embedded broker checks derived passwords itself;
 * Mosquitto reads device accounts from a password file the server writes
 * (MQTT_ACCOUNTS_FILE) and re-reads on SIGHUP (a broker set up before that gets them in
 * dynamic security, slowly); any other broker (EMQX) keeps accounts of its own
 * (deploy/emqx/), and the server only checks whether a device's login is accepted.
 * With MQTT_ADMIN_USERNAME / MQTT_ADMIN_PASSWORD, the server's own account is created in
 * Mosquitto's dynamic security when missing.
 */
export default fp(
  async (app) => {
    const { gw, config } = app;
    const log = app.log.child({ domain: 'identity' });
    const admin =
      !gw.mqtt.embedded && config.MQTT_ADMIN_USERNAME && config.MQTT_ADMIN_PASSWORD
        ? { url: gw.mqtt.url, username: config.MQTT_ADMIN_USERNAME, password: config.MQTT_ADMIN_PASSWORD }
        : null;
    let accounts: AccountStore;
    if (gw.mqtt.embedded) accounts = { kind: 'embedded' };
    else if (config.MQTT_ACCOUNTS_FILE)
      accounts = {
        kind: 'file',
        url: gw.mqtt.url,
        file: config.MQTT_ACCOUNTS_FILE,
        pidFile: config.MQTT_BROKER_PID_FILE || undefined,
        readyTimeoutMs: config.MQTT_ACCOUNTS_READY_TIMEOUT_S * 1000,
      };
    else if (admin) {
      accounts = { kind: 'dynsec', ...admin };
      log.warn(
        'no MQTT_ACCOUNTS_FILE: device accounts go into dynamic security, which takes O(fleet) per device (deploy/mosquitto/mosquitto.conf)',
      );
    } else {
      accounts = { kind: 'external', url: gw.mqtt.url };
      log.info(
        'no MQTT_ACCOUNTS_FILE: device accounts are kept by the broker itself; imported devices stay pending until it accepts them',
      );
    }
    const identity = createIdentity({ fleetSecret: gw.fleetSecret, log, accounts, dynsec: admin });
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
