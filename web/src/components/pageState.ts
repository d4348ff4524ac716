// The names of the states a page shows (PageState.vue).
export type PageStateName = 'loading' | 'ready' | 'empty' | 'error' | 'forbidden' | 'notfound';
