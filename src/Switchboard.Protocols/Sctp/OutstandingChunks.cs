namespace Switchboard.Protocols.Sctp;

/// <summary>
/// The chunks sent and not yet covered by the peer's cumulative TSN ack, oldest first, in a ring: a SACK removes from the
/// front in time proportional to what it acknowledges, not to what stays outstanding (a list would shift the rest).
/// </summary>
internal sealed class OutstandingChunks
{
    private OutstandingChunk[] _ring = new OutstandingChunk[64];
    private int _head;

    public int Count { get; private set; }

    public OutstandingChunk this[int index] => _ring[(_head + index) & (_ring.Length - 1)];

    public void Add(OutstandingChunk chunk)
    {
        if (Count == _ring.Length) Grow();
        _ring[(_head + Count) & (_ring.Length - 1)] = chunk;
        Count++;
    }

    public void RemoveFirst(int count)
    {
        for (int i = 0; i < count; i++) _ring[(_head + i) & (_ring.Length - 1)] = null!;
        _head = (_head + count) & (_ring.Length - 1);
        Count -= count;
    }

    public Enumerator GetEnumerator() => new(this);

    private void Grow()
    {
        var larger = new OutstandingChunk[_ring.Length * 2];
        for (int i = 0; i < Count; i++) larger[i] = this[i];
        _ring = larger;
        _head = 0;
    }

    public struct Enumerator(OutstandingChunks chunks)
    {
        private int _index = -1;

        public readonly OutstandingChunk Current => chunks[_index];

        public bool MoveNext() => ++_index < chunks.Count;
    }
}
