// Baseline: a bare Koa + @koa/router JSON route answering the status shape from memory.
import Router from '@koa/router';
import Koa from 'koa';

const app = new Koa();
const router = new Router();
router.get('/api/v1/kyc/:person_id/status', (ctx) => {
  ctx.body = { person_id: ctx.params.person_id, kyc_status: 'unverified', kyc_tier: 't0', aml_clear: null, verified_at: null, expires_at: null };
});
app.use(router.routes());
app.listen(Number(process.env.PORT), '127.0.0.1');
