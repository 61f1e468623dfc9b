using Switchboard.Signaling.Protocol;

namespace Switchboard.Fuzz;

/// <summary>
/// One WebSocket text frame from a signaling client. <see cref="ClientMessageReader.Read"/> never throws: bad input
/// is a read with an error code (invalid-json, invalid-message, unknown-type) and a sentence; a valid read has a message
/// whose fields are within the protocol's ranges.
/// </summary>
public static class SignalingTarget
{
    public static void Run(ReadOnlySpan<byte> data)
    {
        var read = ClientMessageReader.Read(data);
        if (!read.IsValid)
        {
            FuzzInvariantException.Check(read.ErrorCode is ErrorCodes.InvalidJson or ErrorCodes.InvalidMessage or ErrorCodes.UnknownType, $"error code {read.ErrorCode}");
            FuzzInvariantException.Check(!string.IsNullOrEmpty(read.ErrorText), "an error without a sentence");
            FuzzInvariantException.Check(read.RequestId is null or { Length: <= ClientMessageReader.MaxIdLength }, "echoed id too long");
            return;
        }
        var message = read.Message!;
        FuzzInvariantException.Check(read.Type is not null, "valid message without a type");
        FuzzInvariantException.Check(message.Id is null or { Length: <= ClientMessageReader.MaxIdLength }, "id too long");
        switch (message)
        {
            case JoinMessage join:
                FuzzInvariantException.Check(ClientMessageReader.IsValidRoomName(join.Room), "room name");
                break;
            case SessionDescriptionMessage description:
                FuzzInvariantException.Check(description.To.Length > 0 && description.Sdp.Length > 0, "to and sdp");
                SdpMediaDirections.Scan(description.Sdp);
                break;
            case MediaOfferMessage offer:
                foreach (var publication in offer.Publish ?? []) _ = (publication.Mid.Length, publication.Source.Length, publication.Layers?.Count);
                foreach (var subscription in offer.Subscribe ?? []) _ = (subscription.Mid.Length, subscription.TrackId.Length);
                SdpMediaDirections.Scan(offer.Sdp);
                break;
            case CandidateMessage candidate:
                _ = candidate.Candidate?.GetRawText();
                break;
            case ApplicationMessage application:
                _ = application.Data.GetRawText();
                break;
        }
    }
}
