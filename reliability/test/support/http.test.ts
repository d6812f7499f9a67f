import { expect, it } from 'vitest';
import { parsePrometheus } from './http.js';

it('parsePrometheus sums each metric over its label sets and skips comments', () => {
  const text = [
    '# HELP mongodb_pool_connections_open Open connections',
    '# TYPE mongodb_pool_connections_open gauge',
    'mongodb_pool_connections_open{pool="a"} 3',
    'mongodb_pool_connections_open{pool="b",x="{}"} 4',
    'nodejs_eventloop_delay_p99 0.0125',
    '',
  ].join('\n');
  expect([...parsePrometheus(text)]).toStrictEqual([
    ['mongodb_pool_connections_open', 7],
    ['nodejs_eventloop_delay_p99', 0.0125],
  ]);
});
