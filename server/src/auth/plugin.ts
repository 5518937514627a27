import fp from 'fastify-plugin';

// Scaffold: replaced by the auth domain.
export default fp(async () => {}, { name: 'auth' });
