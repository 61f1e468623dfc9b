namespace Switchboard.Turn.Allocations;

/// <summary>Placeholder; the allocation model lands with the TURN core.</summary>
public sealed class Allocation;
