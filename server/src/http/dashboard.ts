import fp from 'fastify-plugin';

// Scaffold: replaced by the dashboard serving plugin.
export default fp(async () => {}, { name: 'dashboard' });
