// REST shapes (docs/api.md), snake_case as the server writes them.

export interface Company {
  company_id: number;
  ticker_symbol: string;
  company_name: string;
  exchange: string;
  currency: string;
  previous_close: number;
}

export interface WatchlistStock {
  company_id: number;
  ticker_symbol: string;
  company_name: string;
  quantity: number;
  purchase_price: number;
}

export interface Watchlist {
  watchlist_id: number;
  name: string;
  stocks: WatchlistStock[];
}

export interface LoginAnswer {
  token: string;
  expires_at: string;
  user_id: number;
}

export interface Me {
  user_id: number;
  username: string;
  token_expires_at: string;
}
