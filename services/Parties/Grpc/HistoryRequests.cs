using Ent.Partnership.Storage;

namespace Ent.Partnership.Parties.V1;

// Each history method's own request reads as any other's.
public sealed partial class GetPartyHistoryRequest : IHistoryRequest;
