using ActorQuotes.Gateway.Fencing;
using Akka.Actor;

namespace ActorQuotes.Gateway.Tests.Fencing;

public sealed class MinoritySideTests
{
    private static readonly Address A = new("akka.tcp", "actorquotes", "127.0.0.1", 4051);
    private static readonly Address B = new("akka.tcp", "actorquotes", "127.0.0.1", 4052);
    private static readonly Address C = new("akka.tcp", "actorquotes", "127.0.0.1", 4053);
    private static readonly Address D = new("akka.tcp", "actorquotes", "127.0.0.1", 4054);

    [Fact(DisplayName = "A node that reaches only itself of three is on the minority side; the two that still reach each other are not")]
    public void One_of_three()
    {
        Assert.True(MinoritySide.IsMinority([A, B, C], new HashSet<Address> { A, B }, C));
        Assert.False(MinoritySide.IsMinority([A, B, C], new HashSet<Address> { C }, A));
        Assert.False(MinoritySide.IsMinority([A, B, C], new HashSet<Address>(), B));
    }

    [Fact(DisplayName = "On an even split the side with the lowest address stays, as keep-majority decides")]
    public void Ties_go_to_the_lowest_address()
    {
        Assert.False(MinoritySide.IsMinority([A, B, C, D], new HashSet<Address> { C, D }, A));
        Assert.True(MinoritySide.IsMinority([A, B, C, D], new HashSet<Address> { A, B }, C));
    }

    [Fact(DisplayName = "A node that is not a counted member (joining, or already gone) is never suspended by this check")]
    public void Non_members_are_left_alone()
    {
        Assert.False(MinoritySide.IsMinority([A, B], new HashSet<Address> { A, B }, C));
    }
}
