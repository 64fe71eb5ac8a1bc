using System.Text.Json;

namespace ActorQuotes.Bench.Tests;

/// <summary>
/// The runtime settings each compared server starts with, read from the runtime configs beside the
/// assemblies the benchmark (and the smoke tests) start: each server runs the setting
/// docs/decisions/0009-dynamic-pgo-off.md records for it and why, and a change to one shows up here rather than
/// as a drift in the ratios.
/// </summary>
public sealed class RuntimeSettingsTests
{
    [Theory(DisplayName = "Dynamic PGO is off in the SUT and B0 and left at the runtime's default in B1")]
    [InlineData("ActorQuotes.Gateway", false)]
    [InlineData("ActorQuotes.Bench.Baselines.Kestrel", false)]
    [InlineData("ActorQuotes.Bench.Baselines.SignalR", null)]
    public void TieredPgo(string assembly, bool? expected)
    {
        var path = Path.Combine(AppContext.BaseDirectory, assembly + ".runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        bool? actual = properties.TryGetProperty("System.Runtime.TieredPGO", out var value) ? value.GetBoolean() : null;
        Assert.Equal(expected, actual);
    }
}
