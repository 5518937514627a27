import fp from 'fastify-plugin';
import { Bus } from './bus.ts';

export default fp(
  async (app) => {
    const bus = new Bus();
    bus.setMaxListeners(50);
    app.decorate('bus', bus);
    app.addHook('onClose', async () => {
      bus.removeAllListeners();
    });
  },
  { name: 'bus' },
);
