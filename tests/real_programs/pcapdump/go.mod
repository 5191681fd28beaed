module gotrace.test/realprog/pcapdump

go 1.26

tool github.com/google/gopacket/examples/pcapdump

require (
	github.com/google/gopacket v1.1.19 // indirect
	golang.org/x/sys v0.0.0-20190412213103-97732733099d // indirect
)
