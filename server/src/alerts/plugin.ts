import fp from 'fastify-plugin';

// Scaffold: replaced by the alerts domain.
export default fp(async () => {}, { name: 'alerts' });
