import fp from 'fastify-plugin';

// Scaffold: replaced by the identity domain.
export default fp(async () => {}, { name: 'identity' });
