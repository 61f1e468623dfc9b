using System.Collections;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Switchboard.Turn.Allocations;

/// <summary>
/// The relay ports of one address and protocol, from Turn:MinPort to Turn:MaxPort. Ports are handed
/// out from a random starting point (RFC 8656 §7.2 asks for unpredictable ports), returned when the
/// allocation ends, and held for 30 s behind a RESERVATION-TOKEN when EVEN-PORT asks for it (§7.2, §18.10).
/// </summary>
public sealed class RelayPortPool(int minPort, int maxPort)
{
    /// <summary>RFC 8656 §7.2: a reserved port is kept about 30 seconds.</summary>
    public const int ReservationMilliseconds = 30_000;

    private readonly Lock _sync = new();
    private readonly BitArray _inUse = new(maxPort - minPort + 1);
    private readonly Dictionary<ulong, (int Port, AddressFamily Family, long ExpiresAt)> _reservations = [];
    private int _count;

    public int MinPort { get; } = minPort;
    public int MaxPort { get; } = maxPort;
    public int InUse { get { lock (_sync) return _count; } }

    /// <summary>Takes a free port (an even one when asked, with port+1 free too when <paramref name="withNextFree"/>).</summary>
    public bool TryTake(bool even, bool withNextFree, out int port)
    {
        lock (_sync)
        {
            int size = _inUse.Length;
            int start = RandomNumberGenerator.GetInt32(size);
            for (int i = 0; i < size; i++)
            {
                int index = (start + i) % size;
                int candidate = MinPort + index;
                if (_inUse[index] || (even && candidate % 2 != 0)) continue;
                if (withNextFree && (candidate + 1 > MaxPort || _inUse[index + 1])) continue;
                MarkInUse(index);
                if (withNextFree) MarkInUse(index + 1);
                port = candidate;
                return true;
            }
        }
        port = 0;
        return false;
    }

    /// <summary>
    /// Keeps a port (already taken) of an address family for a later allocation that presents the returned
    /// token; the family goes with it, as the token stands for a relayed transport address (RFC 8656 §7.2).
    /// </summary>
    public ulong Reserve(int port, AddressFamily family, long now)
    {
        ulong token = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        lock (_sync) _reservations[token] = (port, family, now + ReservationMilliseconds);
        return token;
    }

    /// <summary>Claims the port and family behind a RESERVATION-TOKEN; false when unknown or expired.</summary>
    public bool TryClaim(ulong token, long now, out int port, out AddressFamily family)
    {
        lock (_sync)
        {
            if (_reservations.Remove(token, out var reservation) && reservation.ExpiresAt > now)
            {
                port = reservation.Port;
                family = reservation.Family;
                return true;
            }
        }
        port = 0;
        family = AddressFamily.Unknown;
        return false;
    }

    public void Return(int port)
    {
        lock (_sync)
        {
            int index = port - MinPort;
            if (index < 0 || index >= _inUse.Length || !_inUse[index]) return;
            _inUse[index] = false;
            _count--;
        }
    }

    /// <summary>Frees reserved ports nobody claimed in time.</summary>
    public void ExpireReservations(long now)
    {
        lock (_sync)
        {
            foreach (var (token, reservation) in _reservations)
            {
                if (reservation.ExpiresAt > now) continue;
                _reservations.Remove(token);
                int index = reservation.Port - MinPort;
                if (_inUse[index]) { _inUse[index] = false; _count--; }
            }
        }
    }

    private void MarkInUse(int index)
    {
        _inUse[index] = true;
        _count++;
    }
}
