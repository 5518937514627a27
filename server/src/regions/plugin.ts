import fp from 'fastify-plugin';

// Scaffold: replaced by the regions domain.
export default fp(async () => {}, { name: 'regions' });
