// Body parsers for our own routes (the provider parses its own). Small limits: nothing we accept as JSON is big.
import { koaBody } from 'koa-body';

export const jsonBody = () => koaBody({ json: true, urlencoded: false, multipart: false, text: false, jsonLimit: '256kb', jsonStrict: true });
export const formBody = () => koaBody({ json: false, urlencoded: true, multipart: false, text: false, formLimit: '16kb' });
