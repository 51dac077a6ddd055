# The reference Orange Pi gateway (tests/gateway/, docs/gateway.md).
#
#   gateway_unit             its unit tests (python-can's virtual bus, a fake broker client)
#   gateway_e2e_socketcand   app -> MQTT -> gateway -> socketcand -> simulated packs and back,
#                            with mosquitto on 127.0.0.1; exit 77 (skipped) when a tool is
#                            missing at run time
#
# Both need Debian's python3-can and python3-paho-mqtt for the system interpreter; the
# end-to-end test also needs mosquitto and mosquitto-clients. Without them the tests are not
# registered and configure says why.
set(GATEWAY_DIR ${CMAKE_CURRENT_SOURCE_DIR}/gateway)

execute_process(COMMAND /usr/bin/python3 -c "import can, paho.mqtt.client"
                RESULT_VARIABLE gateway_py_rc OUTPUT_QUIET ERROR_QUIET)
if(NOT gateway_py_rc EQUAL 0)
    message(STATUS "python3-can or python3-paho-mqtt missing: gateway tests not registered")
    return()
endif()

add_test(NAME gateway_unit COMMAND /usr/bin/python3 -m unittest -v test_gateway
         WORKING_DIRECTORY ${GATEWAY_DIR})
set_tests_properties(gateway_unit PROPERTIES LABELS "unit;gateway" TIMEOUT 60
                     ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")

find_program(GATEWAY_MOSQUITTO mosquitto PATHS /usr/sbin NO_CACHE)
find_program(GATEWAY_MOSQUITTO_SUB mosquitto_sub NO_CACHE)
find_program(GATEWAY_MOSQUITTO_PUB mosquitto_pub NO_CACHE)
if(TARGET alfasim AND TARGET fw_alfaspark AND GATEWAY_MOSQUITTO AND GATEWAY_MOSQUITTO_SUB
   AND GATEWAY_MOSQUITTO_PUB)
    add_test(NAME gateway_e2e_socketcand
             COMMAND bash ${GATEWAY_DIR}/e2e_socketcand.sh --alfasim $<TARGET_FILE:alfasim>
                     --work ${CMAKE_BINARY_DIR}/test-tmp/gateway_e2e)
    set_tests_properties(gateway_e2e_socketcand PROPERTIES LABELS "e2e;gateway" TIMEOUT 300
                         SKIP_RETURN_CODE 77 ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
else()
    message(STATUS "mosquitto, mosquitto-clients or the alfaspark plugin missing: "
                   "gateway_e2e_socketcand not registered")
endif()
