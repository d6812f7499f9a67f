import { portfolioJson, type Portfolio, type PortfolioPage } from '@globeco/portfolio-core';
import type { Context } from 'koa';

/** The JSON array of `portfolios`, each written by `portfolioJson` (no generic walk, no `Date#toJSON`). */
export function portfoliosJson(portfolios: readonly Portfolio[]): string {
  let json = '[';
  for (let i = 0; i < portfolios.length; i++) json += i === 0 ? portfolioJson(portfolios[i]!) : `,${portfolioJson(portfolios[i]!)}`;
  return `${json}]`;
}

/** A page's JSON `{"portfolios":[…],"pagination":{…}}`, with `extra` fields after them. */
export function pageJson(page: PortfolioPage, extra = ''): string {
  return `{"portfolios":${portfoliosJson(page.portfolios)},"pagination":${JSON.stringify(page.pagination)}${extra}}`;
}

/**
 * Sets a JSON text as the response body: the same bytes and `application/json; charset=utf-8` that
 * Koa would give for the object, without its `JSON.stringify` over Dates.
 */
export function sendJson(ctx: Context, json: string): void {
  ctx.type = 'application/json';
  ctx.body = json;
}
