// The call's two views: a grid of equal tiles, or the speaker view (one tile large, the others in a strip below). The
// large tile is the pinned one, else the latest remote active speaker, else the first remote participant.

const grid = document.getElementById('grid');

export class Layout {
  constructor() {
    /** 'grid' or 'speaker'. */
    this.view = 'grid';
    /** The tile id pinned by the user, or null. */
    this.pinned = null;
    this._speaker = null;
  }

  /** Switches between the grid and the speaker view. */
  toggleView() {
    this.view = this.view === 'grid' ? 'speaker' : 'grid';
    this.refresh();
  }

  /** Pins a tile (large in the speaker view, which it switches to), or unpins it when it is pinned already. @param {string} id */
  togglePin(id) {
    this.pinned = this.pinned === id ? null : id;
    if (this.pinned) this.view = 'speaker';
    this.refresh();
  }

  /** The loudest remote participant now, from the active-speakers event (ids loudest first). @param {string[]} ids */
  speakers(ids) {
    const remote = ids.find((id) => grid.querySelector(`.tile:not(.local)[data-id="${CSS.escape(id)}"]`));
    if (remote && remote !== this._speaker) {
      this._speaker = remote;
      this.refresh();
    }
  }

  /** The id of the tile shown large in the speaker view. */
  get featured() {
    const exists = (id) => id && grid.querySelector(`.tile[data-id="${CSS.escape(id)}"]`);
    return [this.pinned, this._speaker].find(exists)
      ?? grid.querySelector('.tile:not(.local)')?.dataset.id ?? grid.querySelector('.tile')?.dataset.id ?? null;
  }

  /** Applies the view to the tiles: after tiles come or go, and after each change above. */
  refresh() {
    if (this.pinned && !grid.querySelector(`.tile[data-id="${CSS.escape(this.pinned)}"]`)) this.pinned = null;
    const featured = this.view === 'speaker' ? this.featured : null;
    grid.classList.toggle('speaker-view', this.view === 'speaker');
    for (const tile of grid.querySelectorAll('.tile')) {
      tile.classList.toggle('featured', tile.dataset.id === featured);
      const pin = tile.querySelector('.pin');
      const pinned = tile.dataset.id === this.pinned;
      pin.setAttribute('aria-pressed', String(pinned));
      pin.textContent = pinned ? 'Unpin' : 'Pin';
    }
    const button = document.getElementById('layout');
    button.setAttribute('aria-pressed', String(this.view === 'speaker'));
    button.textContent = this.view === 'speaker' ? 'Grid view' : 'Speaker view';
  }
}
